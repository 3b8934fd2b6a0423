/** Stable error codes: tests and callers switch on these, never on messages. */
export const CODES = {
  config: 'ERR_EDGE_CONFIG',
  headerGuard: 'ERR_EDGE_HEADER_GUARD',
  notPortable: 'ERR_EDGE_NOT_PORTABLE',
  placement: 'ERR_EDGE_PLACEMENT',
  rejected: 'ERR_EDGE_REJECTED',
  notImplemented: 'ERR_EDGE_NOT_IMPLEMENTED',
  usage: 'ERR_EDGE_USAGE',
  entry: 'ERR_EDGE_ENTRY',
  definition: 'ERR_EDGE_DEFINITION',
} as const;
export type ErrorCode = (typeof CODES)[keyof typeof CODES];

export class EdgelineError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A middleware option or a build option is wrong: raised when the factory is called, never per request. */
export class ConfigError extends EdgelineError {
  readonly option: string;
  constructor(option: string, message: string) {
    super(CODES.config, `${option}: ${message}`);
    this.option = option;
  }
}

/** A hook touched a header CloudFront would reject (a 502 in production). */
export class HeaderGuardError extends EdgelineError {
  readonly header: string;
  constructor(header: string, message: string) {
    super(CODES.headerGuard, message);
    this.header = header;
  }
}

/** A hook cannot be lowered to an edge artifact (it closes over outer variables, or is not a function). */
export class NotPortableError extends EdgelineError {
  readonly middleware: string;
  constructor(middleware: string, message: string) {
    super(CODES.notPortable, `middleware '${middleware}': ${message}`);
    this.middleware = middleware;
  }
}

/** A middleware definition (defineMiddleware, or what pipeline.use() is given) is malformed: raised where it is defined. */
export class DefinitionError extends EdgelineError {
  readonly middleware: string;
  readonly field: string;
  constructor(middleware: string, field: string, message: string) {
    super(CODES.definition, `middleware '${middleware}': ${field}: ${message}`);
    this.middleware = middleware;
    this.field = field;
  }
}

export class NotImplementedError extends EdgelineError {
  constructor(what: string) {
    super(CODES.notImplemented, `${what}: not implemented yet`);
  }
}
