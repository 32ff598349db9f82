// The watchdog every supervised program runs under, so that it dies with the Berth that started
// it however Berth ends, SIGKILL included.
//
// Node has no prctl(PR_SET_PDEATHSIG), and a death signal would reach only the program itself,
// not what it forks (nginx's workers outlive a killed master). So the program is started by a
// small POSIX shell script, in a process group of its own (spawn's `detached`, i.e. setsid), with
// a pipe from Berth on its stdin: the lifeline. Only Berth holds the pipe's write end (Node opens
// it close-on-exec, so no other child inherits it); the kernel closes it when Berth exits, for
// whatever reason, and the script then reads EOF. It asks the program to stop (SIGTERM), waits
// the grace period, and kills the whole group (SIGKILL), the script itself included.
//
// The same script forwards a SIGTERM from Berth to the program and exits with the program's
// status, after ending whatever the program left in its group. Being in a group of its own also
// keeps a terminal's Ctrl-C away from the program: Berth stops its children itself, in order.
//
// No input reaches the shell as code: the program and its arguments are positional parameters.

/** How long a program gets to stop after SIGTERM, from Berth or from its watchdog, before SIGKILL. */
export const STOP_GRACE_MS = 5000;

/** $1: grace seconds; the rest: the program and its arguments. */
const SCRIPT = `
grace=$1; shift
exec 3<&0
"$@" 0</dev/null 3<&- &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
(
  while read -r _ <&3; do :; done
  kill -TERM "$child" 2>/dev/null
  sleep "$grace"
  kill -KILL 0
) &
exec 3<&-
while :; do
  wait "$child"
  code=$?
  kill -0 "$child" 2>/dev/null || break
done
trap '' TERM
kill -TERM 0 2>/dev/null
exit "$code"
`;

/** The shell that runs the script: POSIX sh (dash on Debian). */
export const WATCHDOG_SHELL = '/bin/sh';

/** Arguments for WATCHDOG_SHELL that run `command args` under the watchdog. */
export function watchdogArgs(name: string, command: string, args: string[], graceMs: number): string[] {
  // $0 names the watchdog in ps; the grace is whole seconds for sleep(1).
  return ['-c', SCRIPT, `berth-watchdog:${name}`, String(Math.max(1, Math.ceil(graceMs / 1000))), command, ...args];
}
