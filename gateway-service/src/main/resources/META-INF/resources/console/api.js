// The one place the console talks to the gateway. Authentication is the HttpOnly session cookie
// that POST /v1/sessions sets: fetch sends it (same origin) and so does every WebSocket upgrade.
// The token itself is only ever in the login request's body — never in a URL or in storage.

/** A non-2xx answer; `problem` is the gateway's application/problem+json body when it sent one. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** Fired on window when a call answers 401: the session ended (expired, logged out elsewhere). */
export const UNAUTHORIZED_EVENT = 'hangar:unauthorized';

export async function call(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`/v1${path}`, {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? safeJson(text) : null;
  if (!response.ok) {
    if (response.status === 401 && path !== '/sessions') window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT));
    throw new ApiError(response.status, data && typeof data === 'object' ? data : { detail: text || response.statusText });
  }
  return data;
}

function safeJson(text) {
  try { return JSON.parse(text); } catch { return text; }
}

export const session = {
  /** Session.Info, or null when not logged in. */
  async current() {
    try { return await call('/session'); } catch (e) { if (e.status === 401) return null; throw e; }
  },
  login: (token) => call('/sessions', { method: 'POST', body: { token } }),
  logout: () => call('/sessions', { method: 'DELETE' }),
};

export const runs = {
  list: (limit = 200) => call(`/runs?limit=${limit}`),
  get: (id) => call(`/runs/${encodeURIComponent(id)}`),
  submit: (request) => call('/runs', { method: 'POST', body: request }),
  cancel: (id) => call(`/runs/${encodeURIComponent(id)}/cancel`, { method: 'POST' }),
};

export const processors = { list: () => call('/processors') };
export const plans = { list: () => call('/plans') };
export const secrets = { list: () => call('/secrets') };

/** The gateway URL of an artefact: GET answers 307 to a short-lived presigned URL. */
export function artifactUrl(path) {
  const rest = String(path).replace(/^\/artifacts\//, '');
  return `/v1/artifacts/${rest.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Opens a stream of JSON text frames (same origin, so the session cookie authenticates it).
 * onFrame(parsed) per frame; onClose({code, reason, clean}) once. Returns {close()}.
 */
export function stream(path, { onFrame, onOpen, onClose }) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(`${scheme}//${location.host}/v1${path}`);
  let closedByUs = false;
  socket.addEventListener('open', () => onOpen?.());
  socket.addEventListener('message', (message) => {
    const frame = safeJson(message.data);
    if (frame && typeof frame === 'object') onFrame(frame);
  });
  socket.addEventListener('close', (e) => {
    if (!closedByUs) onClose?.({ code: e.code, reason: e.reason, clean: e.wasClean });
  });
  return {
    close() { closedByUs = true; socket.close(); },
  };
}

/** A stream frame that is a Problem (the gateway refused or knows no such run) rather than an event. */
export const isProblem = (frame) => typeof frame.code === 'string' && typeof frame.status === 'number' && !frame.event;
/** The bare Envelope frame a run stream ends with: top-level status, no event. */
export const isEnvelope = (frame) => typeof frame.status === 'string' && !frame.event && !frame.code;
