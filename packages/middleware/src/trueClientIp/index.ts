export { trueClientIp, type TrueClientIpOptions } from './trueClientIp.js';
