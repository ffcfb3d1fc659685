/**
 * Sends alerts to Prometheus Alertmanager (API v2): POST {url}/api/v2/alerts with a JSON
 * array of { labels, annotations, startsAt, endsAt }. A firing alert carries no endsAt;
 * a resolved one carries the time it resolved, which is how Alertmanager learns it ended.
 */
import { request } from 'undici';

import type { Alert, AlertSink } from './alert';

export interface AlertmanagerSinkOptions {
  /** Base URL of Alertmanager, e.g. http://alertmanager:9093. */
  url: string;
  /** @default 5000 */
  timeoutMs?: number;
}

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
}

export function toAlertmanagerAlert(alert: Alert): AlertmanagerAlert {
  return {
    labels: {
      ...alert.labels,
      alertname: alert.name,
      service: alert.service,
      severity: alert.severity,
    },
    annotations: {
      summary: alert.summary,
      ...(alert.description === undefined ? {} : { description: alert.description }),
    },
    startsAt: alert.startsAt,
    ...(alert.endsAt === undefined ? {} : { endsAt: alert.endsAt }),
  };
}

export class AlertmanagerSink implements AlertSink {
  readonly name = 'alertmanager';
  private readonly endpoint: string;
  private readonly timeoutMs: number;

  constructor(options: AlertmanagerSinkOptions) {
    this.endpoint = new URL('/api/v2/alerts', options.url).toString();
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  async send(alert: Alert): Promise<void> {
    const response = await request(this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([toAlertmanagerAlert(alert)]),
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    await response.body.dump();
    if (response.statusCode >= 300) {
      throw new Error(`Alertmanager answered ${response.statusCode}`);
    }
  }
}
