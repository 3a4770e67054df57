import { DateTime } from "luxon";
import { memo } from "./text.js";

/**
 * Article dates are calendar dates of the archive's own time zone. They are
 * kept as `YYYY-MM-DD` strings and only ever turned into instants with this
 * zone, so the machine's TZ never shifts a date.
 */
export const ARCHIVE_ZONE = "Asia/Shanghai";
const LOCALE = "en-GB";

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when `text` is `YYYY-MM-DD` and names a day that exists; year 0000 parses, but no HTML <time> or Atom date may carry it. */
export const isCalendarDate = memo((text) => ISO_DATE.test(text) && !text.startsWith("0000") && asCalendarDate(text).isValid);

function inZone(date: string): DateTime {
  return DateTime.fromISO(date, { zone: ARCHIVE_ZONE, locale: LOCALE });
}

// Whether a day exists does not depend on any zone; UTC spares luxon the
// zone's offset rules, its slow part.
function asCalendarDate(date: string): DateTime {
  return DateTime.fromISO(date, { zone: "utc", locale: LOCALE });
}

export interface DateParts {
  year: string;
  month: string;
  day: string;
}

export function dateParts(date: string): DateParts {
  const m = ISO_DATE.exec(date);
  if (!m) throw new Error(`not a YYYY-MM-DD date: ${date}`);
  return { year: m[1], month: m[2], day: m[3] };
}

/** Midnight of the date in the archive zone, e.g. `2021-08-31T00:00:00+08:00`. */
export const dateTime = memo((date) => inZone(date).toISO({ suppressMilliseconds: true }) ?? date);

// The month names of the archive's locale, from the platform's Intl data.
export const MONTH_NAMES = Array.from({ length: 12 }, (_, i) =>
  new Intl.DateTimeFormat(LOCALE, { month: "long", timeZone: "UTC" }).format(Date.UTC(2000, i, 1)),
);

/** `31 August 2021` */
export function readableDate(date: string): string {
  const { year, month, day } = dateParts(date);
  return `${Number(day)} ${readableMonth(year, month)}`;
}

/** `August 2021` for a `YYYY-MM` month. */
export function readableMonth(year: string, month: string): string {
  return `${MONTH_NAMES[Number(month) - 1]} ${year}`;
}

/** The calendar date in the archive's zone a year after `now`: no published article is dated later. */
export function latestPlausibleDate(now: number): string {
  return DateTime.fromMillis(now, { zone: ARCHIVE_ZONE }).plus({ years: 1 }).toISODate()!;
}
