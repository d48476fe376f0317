// What the console knows about one run, folded from its RunSummary/RunDetail and RunEvents.
// Status only moves forward (queued → running → an end), so a late or replayed event never
// turns a finished row back into a running one — the same rule as RunStatus in contracts.
import { TERMINAL } from '../format.js';

const RANK = { queued: 0, running: 1, success: 2, error: 2, canceled: 2 };

/** A RunSummary, or a RunDetail (a summary while the run goes, exactly its envelope once it has ended). */
export function fromSummary(s) {
  return {
    id: s.execution_id, ref: s.ref ?? s.meta?.ref, status: s.status, adapter: s.adapter ?? s.meta?.adapter,
    mode: s.mode ?? s.meta?.mode,
    createdAt: s.created_at, updatedAt: s.updated_at, startedAt: null,
    queueMs: s.meta?.queue_ms, durationMs: s.meta?.duration_ms,
  };
}

export function blank(id) {
  return { id, ref: null, status: null, adapter: null, mode: null, createdAt: null, updatedAt: null, startedAt: null };
}

function advance(run, status) {
  if (!status) return;
  if (run.status === null || (RANK[status] ?? -1) > (RANK[run.status] ?? -1)) run.status = status;
}

/** Applies one RunEvent; returns true if a shown field changed. */
export function apply(run, record) {
  const before = JSON.stringify(run);
  const e = record.event ?? {};
  switch (e.type) {
    case 'queued':
      run.ref ??= e.ref; run.adapter ??= e.adapter; run.mode ??= e.mode;
      run.createdAt ??= record.created_at;
      advance(run, 'queued');
      break;
    case 'started':
      run.ref ??= e.ref; run.adapter ??= e.adapter; run.mode ??= e.mode;
      run.startedAt ??= record.created_at;
      advance(run, 'running');
      break;
    case 'completed': case 'failed': case 'canceled': {
      const env = e.envelope ?? {};
      advance(run, env.status ?? (e.type === 'completed' ? 'success' : e.type === 'failed' ? 'error' : 'canceled'));
      run.ref ??= env.meta?.ref; run.adapter ??= env.meta?.adapter; run.mode ??= env.meta?.mode;
      run.queueMs = env.meta?.queue_ms; run.durationMs = env.meta?.duration_ms;
      run.endedAt = record.created_at;
      break;
    }
    default:
      advance(run, 'running');
  }
  run.updatedAt = record.created_at ?? run.updatedAt;
  return JSON.stringify(run) !== before;
}

export const ended = (run) => TERMINAL.has(run.status);

/** Queue time: the envelope's, else started − created while it runs. */
export function queueMs(run) {
  if (run.queueMs !== undefined && run.queueMs !== null) return run.queueMs;
  if (run.startedAt && run.createdAt) return Date.parse(run.startedAt) - Date.parse(run.createdAt);
  if (run.status === 'queued' && run.createdAt) return Date.now() - Date.parse(run.createdAt);
  return undefined;
}

/** Duration: the envelope's, else live time since it started. */
export function durationMs(run) {
  if (run.durationMs !== undefined && run.durationMs !== null) return run.durationMs;
  if (run.status === 'running') return Date.now() - Date.parse(run.startedAt ?? run.createdAt);
  return undefined;
}
