/**
 * setTimeout for any duration. Node's timers hold at most 2^31-1 ms (~24.8
 * days); a longer delay is silently treated as 1 ms, so `taskTimeout: "30d"`
 * timed every task out at once. Longer delays are re-armed in steps until the
 * deadline is reached.
 */

/** The longest delay setTimeout honours (Node docs: "delay … larger than 2147483647 … set to 1"). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LongTimeout {
  clear(): void;
}

/** Calls `fn` once `ms` have passed (unref'd: it never keeps the process alive). */
export function setLongTimeout(fn: () => void, ms: number): LongTimeout {
  const deadline = Date.now() + Math.max(0, ms);
  let timer: NodeJS.Timeout;
  const arm = (): void => {
    const left = deadline - Date.now();
    if (left <= 0) return fn();
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    timer.unref();
  };
  timer = setTimeout(arm, Math.min(Math.max(0, ms), MAX_TIMER_MS));
  timer.unref();
  return { clear: () => clearTimeout(timer) };
}
