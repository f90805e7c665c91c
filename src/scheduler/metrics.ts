/**
 * kube-scheduler's Prometheus metrics (upstream names): schedule attempts by result and profile,
 * attempt duration, pending pods per queue, plus the component defaults (process metrics and
 * leader_election_master_status).
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { SchedulingQueue } from './queue.ts';

/** How a scheduling attempt ended. */
export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

/** Records scheduling attempts; `watch(queue)` reports the current scheduler's queue sizes. */
export interface SchedulerMetrics {
  attempt(result: AttemptResult, profile: string, ms: number): void;
  watch(queue: SchedulingQueue | undefined): void;
}

/** Registers the scheduler metrics on `registry`. */
export function schedulerMetrics(registry: Registry): SchedulerMetrics {
  const attempts = new Counter({ name: 'scheduler_schedule_attempts_total', help: 'Number of attempts to schedule pods, by the result. \'unschedulable\' means a pod could not be scheduled, while \'error\' means an internal scheduler problem.', labelNames: ['result', 'profile'], registers: [registry] });
  const duration = new Histogram({
    name: 'scheduler_scheduling_attempt_duration_seconds',
    help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)',
    labelNames: ['result', 'profile'],
    buckets: [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384],
    registers: [registry],
  });
  let queue: SchedulingQueue | undefined;
  new Gauge({
    name: 'scheduler_pending_pods',
    help: 'Number of pending pods, by the queue type. \'active\' means number of pods in activeQ; \'backoff\' means number of pods in backoffQ; \'unschedulable\' means number of pods in unschedulablePods.',
    labelNames: ['queue'],
    registers: [registry],
    collect() {
      const s = queue?.sizes() ?? { active: 0, backoff: 0, unschedulable: 0 };
      this.set({ queue: 'active' }, s.active);
      this.set({ queue: 'backoff' }, s.backoff);
      this.set({ queue: 'unschedulable' }, s.unschedulable);
    },
  });
  return {
    attempt: (result, profile, ms) => {
      attempts.inc({ result, profile });
      duration.observe({ result, profile }, ms / 1000);
    },
    watch: (q) => {
      queue = q;
    },
  };
}
