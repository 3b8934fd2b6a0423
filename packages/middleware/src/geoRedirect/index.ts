export { geoRedirect, type GeoRedirectOptions } from './geoRedirect.js';
