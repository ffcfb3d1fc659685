import {
  EnvelopeError,
  createEnvelope,
  fromKafkaRecord,
  toKafkaRecord,
} from '../../../platform/events/envelope';

describe('CloudEvents envelope in Kafka binary mode', () => {
  const envelope = createEnvelope({
    type: 'dev.omninode.hook.received',
    source: '/hooks/github',
    subject: 'repo-1',
    correlationId: 'corr-1',
    data: { action: 'push', count: 3 },
    time: new Date('2026-01-02T03:04:05.000Z'),
  });

  it('puts the attributes in ce_* headers and only the data in the value', () => {
    const record = toKafkaRecord(envelope, 'github');

    expect(record.key).toBe('github');
    expect(record.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_id: envelope.id,
      ce_type: 'dev.omninode.hook.received',
      ce_source: '/hooks/github',
      ce_subject: 'repo-1',
      ce_time: '2026-01-02T03:04:05.000Z',
      ce_correlationid: 'corr-1',
      'content-type': 'application/json',
    });
    expect(JSON.parse(record.value.toString())).toEqual({ action: 'push', count: 3 });
  });

  it('decodes what it encodes', () => {
    const record = toKafkaRecord(envelope, null);
    const headers = Object.fromEntries(
      Object.entries(record.headers).map(([k, v]) => [k, Buffer.from(v)]),
    );

    expect(fromKafkaRecord(headers, record.value)).toEqual(envelope);
  });

  it('starts a new correlation chain when none is given', () => {
    const fresh = createEnvelope({ type: 't', source: '/s', data: null });

    expect(fresh.correlationid).toBe(fresh.id);
  });

  it.each([
    ['a missing id', { ce_source: 's', ce_type: 't', ce_specversion: '1.0' }, '{}', /ce_id/],
    [
      'an unknown specversion',
      { ce_id: '1', ce_source: 's', ce_type: 't', ce_specversion: '0.3' },
      '{}',
      /specversion/,
    ],
    [
      'data that is not JSON',
      { ce_id: '1', ce_source: 's', ce_type: 't', ce_specversion: '1.0' },
      '{nope',
      /not JSON/,
    ],
  ])('rejects %s as a poison message', (_case, headers, value, message) => {
    expect(() => fromKafkaRecord(headers, Buffer.from(value))).toThrow(EnvelopeError);
    expect(() => fromKafkaRecord(headers, Buffer.from(value))).toThrow(message);
  });
});
