/**
 * Build-time switches. The cf target defines each as `true` or `false` from what the hooks of
 * an artifact use, and esbuild drops the code behind a `false` one; the lambda target defines
 * them all `true`; elsewhere (tests) they are undefined and everything is on. Each module tests
 * them inline (`typeof X === 'undefined' || X`): esbuild folds that only within the module.
 * Declared for TypeScript in flags.d.ts.
 */
export const FEATURE_FLAGS = [
  '__EDGE_QUERY__', '__EDGE_COOKIES__', '__EDGE_SET_COOKIE__', '__EDGE_ORIGIN__', '__EDGE_KVS__',
  '__EDGE_HEADERS__', '__EDGE_REQUEST__', '__EDGE_VIEWER__', '__EDGE_EVENT_TYPE__', '__EDGE_REQUEST_ID__',
  '__EDGE_RESPOND__', '__EDGE_REDIRECT__', '__EDGE_STATUS_TEXT__',
  '__EDGE_GET__', '__EDGE_GET_ALL__', '__EDGE_HAS__', '__EDGE_SET__', '__EDGE_APPEND__', '__EDGE_DELETE__',
  '__EDGE_NAMES__', '__EDGE_TO_STRING__', '__EDGE_SET_STRING__', '__EDGE_SIZE__',
] as const;
export type FeatureFlag = (typeof FEATURE_FLAGS)[number];

/** The method of the header/query/cookie maps each flag keeps (pairs: `toString` is no safe object key). */
export const METHOD_FLAGS: readonly (readonly [method: string, flag: FeatureFlag])[] = [
  ['get', '__EDGE_GET__'], ['getAll', '__EDGE_GET_ALL__'], ['has', '__EDGE_HAS__'], ['set', '__EDGE_SET__'],
  ['append', '__EDGE_APPEND__'], ['delete', '__EDGE_DELETE__'], ['names', '__EDGE_NAMES__'], ['toString', '__EDGE_TO_STRING__'],
  ['setString', '__EDGE_SET_STRING__'], ['size', '__EDGE_SIZE__'],
];

/** Every switch on: for targets that keep the whole adapter. */
export function allFeatures(): Record<FeatureFlag, string> {
  const out = {} as Record<FeatureFlag, string>;
  for (const f of FEATURE_FLAGS) out[f] = 'true';
  return out;
}
