// End-to-end tests start the whole system and wait for workflows to finish.
jest.setTimeout(120_000);
