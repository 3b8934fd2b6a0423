export { originSelect, type OriginSelectOptions } from './originSelect.js';
