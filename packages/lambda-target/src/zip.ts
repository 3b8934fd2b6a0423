import { strToU8, zipSync } from 'fflate';

/**
 * A fixed date for the zip entry: the same code gives the same zip, byte for byte, so deploy
 * tools that compare hashes (CloudFormation, Terraform's source_code_hash) see no change.
 */
const MTIME = new Date(2020, 0, 1); // local time: zip dates are, so the bytes do not depend on the time zone
/** Unix, regular file, rw-r--r--: Lambda must be able to read index.js. */
const UNIX = 3;
const MODE = 0o100644;

/**
 * The upload Lambda wants: `index.js` at the root of a zip (handler `index.handler`).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-package.html
 */
export function zipArtifact(code: string): Uint8Array {
  return zipSync({ 'index.js': [strToU8(code), { level: 9, mtime: MTIME, os: UNIX, attrs: MODE << 16 }] });
}
