// How numbers and times read in the console: one place, so every view says "1.2 s" the same way.

export function ms(value) {
  if (value === undefined || value === null || Number.isNaN(value)) return '—';
  if (value < 1000) return `${Math.round(value)} ms`;
  const s = value / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "08:41:03" for today, "2026-11-30 08:41" otherwise; the full ISO time goes in a title. */
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n) => String(n).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const today = new Date().toDateString() === d.toDateString();
  return today ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time.slice(0, 5)}`;
}

export function bytes(n) {
  if (n === undefined || n === null) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** sha256:abcdef… shortened for a table cell. */
export const shortDigest = (d) => (d && d.length > 19 ? `${d.slice(0, 19)}…` : d ?? '—');

export const credits = (n) => (n === undefined || n === null ? '—' : Number(n).toLocaleString(undefined, { maximumFractionDigits: 6 }));

export const TERMINAL = new Set(['success', 'error', 'canceled']);
