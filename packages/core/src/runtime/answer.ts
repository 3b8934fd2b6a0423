import type { Answer, AnswerInit, RedirectStatus } from '../context.js';

/** Builds an answer: the init itself, no copy (an answer is never changed afterwards). */
export function respond(init: AnswerInit): Answer {
  return init;
}

export function redirect(location: string, status?: RedirectStatus): Answer {
  return { status: status || 302, location: location };
}
