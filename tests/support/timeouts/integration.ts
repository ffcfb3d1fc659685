// Integration tests wait on real servers (Kafka group joins take seconds).
jest.setTimeout(60_000);
// One retry, with the first failure printed: on two shared cores a timing-sensitive test
// can lose a race to load; a real failure fails twice.
jest.retryTimes(1, { logErrorsBeforeRetry: true });
