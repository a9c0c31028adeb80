/**
 * A full garbage collection, for the rare moment a burst of big garbage is
 * known to be over (a client that fell far behind reading its answers caught
 * up): V8 frees an idle heap only when its memory reducer gets to it, which
 * took from 5 s to over 30 s here, with hundreds of MB resident meanwhile.
 * Node exposes gc() only behind --expose-gc; the flag can still be set at run
 * time, and a fresh context then has the function.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
