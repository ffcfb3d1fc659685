/**
 * What an alert is, in the shape Prometheus Alertmanager understands: identifying labels
 * (alertname plus whatever tells two instances apart, e.g. the breaker), human-readable
 * annotations, and a start and (once resolved) an end time.
 */
export type AlertSeverity = 'critical' | 'warning' | 'info';

export type AlertStatus = 'firing' | 'resolved';

export interface AlertInput {
  /** Becomes the `alertname` label, e.g. `circuit_breaker_open`. */
  name: string;
  severity: AlertSeverity;
  /** Labels that identify this instance of the alert (dedup key with the name). */
  labels?: Record<string, string>;
  summary: string;
  description?: string;
}

export interface Alert {
  name: string;
  severity: AlertSeverity;
  status: AlertStatus;
  service: string;
  labels: Record<string, string>;
  summary: string;
  description: string | undefined;
  startsAt: string;
  endsAt: string | undefined;
}

/** Where an alert goes once the manager decided to send it. */
export interface AlertSink {
  readonly name: string;
  send(alert: Alert): Promise<void>;
}

/** The key that deduplicates: the alert name and its identifying labels, sorted. */
export function alertKey(name: string, labels: Record<string, string>): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((label) => `${label}=${labels[label] ?? ''}`);
  return [name, ...pairs].join('|');
}
