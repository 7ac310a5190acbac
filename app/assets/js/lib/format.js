// How money, instants and durations read in the UI: prices as the API's decimal strings, instants in
// the reader's local time (and in UTC where an admin picks them), durations as a countdown.

const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const localWithSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** The API's decimal string, as is (no float rounding). */
export function money(amount) {
  return amount == null ? '' : String(amount);
}

export function localTime(iso, { seconds = false } = {}) {
  if (!iso) return '';
  return (seconds ? localWithSeconds : local).format(new Date(iso));
}

/** 2026-11-24T20:20:04Z (no milliseconds). */
export function utcTime(isoOrDate) {
  const date = isoOrDate instanceof Date ? isoOrDate : new Date(isoOrDate);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A datetime-local input's value (local time, to the second) for an instant. */
export function toLocalInput(isoOrDate) {
  const date = isoOrDate instanceof Date ? isoOrDate : new Date(isoOrDate);
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
    + `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** The instant a datetime-local value means in the reader's time zone, or null. */
export function fromLocalInput(value) {
  if (!value) return null;
  const date = new Date(value); // a date-time without offset is local time
  return Number.isNaN(date.getTime()) ? null : date;
}

/** 1d 02:03:04, 02:03:04 or 03:04 for a number of milliseconds (never negative). */
export function countdown(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (n) => String(n).padStart(2, '0');
  const clock = hours > 0 || days > 0 ? `${pad(hours)}:${pad(minutes)}:${pad(seconds)}` : `${pad(minutes)}:${pad(seconds)}`;
  return days > 0 ? `${days}d ${clock}` : clock;
}

/** The words a screen reader reads for a countdown: "4 minutes 59 seconds". */
export function countdownWords(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const parts = [];
  const units = [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];
  let rest = total;
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    rest %= size;
    if (n > 0) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
  }
  return parts.length ? parts.join(' ') : '0 seconds';
}

const SALE_STATUS = {
  UPCOMING: 'Coming up', LIVE: 'Live', SOLD_OUT: 'Sold out', ENDED: 'Ended', CANCELLED: 'Cancelled',
};
export function saleStatus(status) {
  return SALE_STATUS[status] || status;
}

const ORDER_STATUS = {
  RESERVED: 'Reserved', CONFIRMED: 'Confirmed', EXPIRED: 'Expired', CANCELLED: 'Cancelled',
};
export function orderStatus(status) {
  return ORDER_STATUS[status] || status;
}
