import { ConfigError, isEmbedded, loadConfig } from '../../../platform/config';

describe('loadConfig', () => {
  it('defaults to the embedded parts and the documented ports', () => {
    const config = loadConfig({});

    expect(isEmbedded(config)).toBe(true);
    expect(config.ports).toEqual({
      gateway: 4000,
      hooks: 4001,
      workflows: 4002,
      'model-metrics': 4003,
    });
    expect(config.urls.hooks).toBe('http://127.0.0.1:4001');
    expect(config.hooks.maxBodyBytes).toBe(1_048_576);
    expect(config.workflows.leaseMs).toBe(300_000);
    expect(config.gateway.graphiql).toBe(true);
  });

  it('selects the real servers when their variables are set', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u@db:5432/app',
      REDIS_URL: 'redis://cache:6379',
      KAFKA_BROKERS: 'k1:9092, k2:9092',
    });

    expect(isEmbedded(config)).toBe(false);
    expect(config.kafka.brokers).toEqual(['k1:9092', 'k2:9092']);
  });

  it('keeps an explicit zero instead of replacing it with a default', () => {
    expect(loadConfig({ GATEWAY_PORT: '0' }).ports.gateway).toBe(0);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).database.url).toBeUndefined();
  });

  it('turns GraphiQL off in production unless asked for', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).gateway.graphiql).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHIQL: 'true' }).gateway.graphiql).toBe(true);
  });

  it('names every invalid variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ GATEWAY_PORT: 'http', DATABASE_URL: 'not a url', LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.join('\n');
    expect(issues).toMatch(/GATEWAY_PORT/);
    expect(issues).toMatch(/DATABASE_URL/);
    expect(issues).toMatch(/LOG_LEVEL/);
  });
});
