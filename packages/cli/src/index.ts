import { NotImplementedError } from '@edgeline/core';

/** Placeholder: this package is being filled (see the issue tracker). */
export function notImplemented(): never {
  throw new NotImplementedError('@edgeline/cli');
}
