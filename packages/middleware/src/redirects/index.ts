export { redirects, type RedirectRule, type RedirectsOptions } from './redirects.js';
