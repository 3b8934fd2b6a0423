export { basicAuth, type BasicAuthKvsUsers, type BasicAuthOptions, type BasicAuthUsers } from './basicAuth.js';
