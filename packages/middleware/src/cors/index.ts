export { cors, type CorsOptions } from './cors.js';
