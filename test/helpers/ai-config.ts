/** The `ai` section of the config for unit tests of the provider and the classifier. */
import type { Config } from '../../src/config.js';

export function aiConfig(overrides: Partial<Config['ai']> = {}): Config['ai'] {
  return {
    provider: 'ollama',
    baseUrl: 'http://127.0.0.1:1',
    apiKey: null,
    model: 'test-model',
    shareContext: true,
    systemPrompt: null,
    timeoutSeconds: 60,
    fastPath: false,
    ...overrides,
  };
}
