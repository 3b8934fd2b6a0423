export { securityHeaders, SECURITY_HEADER_DEFAULTS, type SecurityHeadersOptions } from './securityHeaders.js';
