/** decodeURIComponent that never throws: a bad escape (`%zz`) is returned as it came. */
export function safeDecode(value: string): string {
  if (value.indexOf('%') < 0 && value.indexOf('+') < 0) return value;
  try {
    return decodeURIComponent(value.split('+').join(' '));
  } catch (e) {
    return value;
  }
}
