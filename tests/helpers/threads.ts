/** The threads of this test process, from /proc (Linux). */
import { readFileSync, readdirSync } from 'node:fs';
import { getPriority } from 'node:os';

/** The nice value of each thread of this process (field 19 of a task's stat). */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').map((task) => {
    const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

/** How many threads run `steps` below the calling thread's priority (as lowerThisThreadsPriority leaves a thread it started). */
export function threadsBelowThisOne(steps: number): number {
  const nice = Math.min(19, getPriority() + steps);
  return threadNices().filter((threadNice) => threadNice === nice).length;
}
