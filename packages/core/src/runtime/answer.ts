import type { Answer, AnswerInit, RedirectStatus } from '../context.js';

/** Builds an answer; shared by every adapter so hooks see one shape. */
export function respond(init: AnswerInit): Answer {
  return {
    kind: 'respond',
    status: init.status,
    statusDescription: init.statusDescription,
    headers: init.headers || {},
    body: init.body,
  };
}

export function redirect(location: string, status?: RedirectStatus): Answer {
  return respond({ status: status || 302, headers: { location: location } });
}
