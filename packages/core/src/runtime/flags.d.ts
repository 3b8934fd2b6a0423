// Defined by the cf target per artifact (see features.ts); undefined elsewhere.
declare const __EDGE_QUERY__: boolean;
declare const __EDGE_COOKIES__: boolean;
declare const __EDGE_SET_COOKIE__: boolean;
declare const __EDGE_ORIGIN__: boolean;
declare const __EDGE_KVS__: boolean;
declare const __EDGE_GET__: boolean;
declare const __EDGE_GET_ALL__: boolean;
declare const __EDGE_HAS__: boolean;
declare const __EDGE_SET__: boolean;
declare const __EDGE_APPEND__: boolean;
declare const __EDGE_DELETE__: boolean;
declare const __EDGE_NAMES__: boolean;
declare const __EDGE_TO_STRING__: boolean;
declare const __EDGE_SET_STRING__: boolean;
declare const __EDGE_SIZE__: boolean;
declare const __EDGE_HEADERS__: boolean;
declare const __EDGE_REQUEST__: boolean;
declare const __EDGE_VIEWER__: boolean;
declare const __EDGE_EVENT_TYPE__: boolean;
declare const __EDGE_REQUEST_ID__: boolean;
declare const __EDGE_RESPOND__: boolean;
declare const __EDGE_REDIRECT__: boolean;
declare const __EDGE_STATUS_TEXT__: boolean;
// Defined by the cf target per runtime: true on cloudfront-js-2.0, whose request has rawQueryString().
declare const __EDGE_RAW_QUERY__: boolean;
