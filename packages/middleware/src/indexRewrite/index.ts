export { indexRewrite, type IndexRewriteOptions } from './indexRewrite.js';
