export { abTest, type AbTestOptions } from './abTest.js';
