export { originSelect, type OriginOption, type OriginSelectOptions, type S3OriginOption } from './originSelect.js';
