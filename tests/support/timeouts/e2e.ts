// End-to-end tests start the whole system and wait for workflows to finish.
jest.setTimeout(120_000);
// One retry, with the first failure printed: on two shared cores a timing-sensitive test
// can lose a race to load; a real failure fails twice.
jest.retryTimes(1, { logErrorsBeforeRetry: true });
