import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface StartedProcess {
  child: ChildProcess;
  /** Everything the process printed to stdout so far. */
  output(): string;
  /** Waits for a line matching `pattern` on stdout; returns the match. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

const ROOT = join(__dirname, '..', '..');

/** Runs `npm start` (the user's command) in the project root with the given environment. */
export function startNpm(env: Record<string, string>): StartedProcess {
  const child = spawn('npm', ['start', '--silent'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return {
    child,
    output: () => out,
    async waitFor(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = out.match(pattern);
        if (m) return m;
        if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before printing ${pattern}: ${out}\n${err}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}: ${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async kill(signal = 'SIGTERM') {
      const pid = child.pid!;
      const alive = (): boolean => {
        if (child.exitCode !== null || child.signalCode !== null) return false;
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      // npm runs the server in a child: signal the whole process group, as a terminal's Ctrl-C does.
      const signalGroup = (sig: NodeJS.Signals): void => {
        try {
          process.kill(-pid, sig);
        } catch {
          // already gone
        }
      };
      if (alive()) signalGroup(signal);
      const deadline = Date.now() + 10_000;
      while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      if (alive()) signalGroup('SIGKILL');
      child.stdout?.destroy();
      child.stderr?.destroy();
      return child.exitCode;
    },
  };
}
