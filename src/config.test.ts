import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import os from 'node:os';
import { ConfigError, loadConfig, parseConfig } from './config.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = parseConfig({}, '/srv/claw');
    expect(c).toMatchObject({
      host: '0.0.0.0',
      port: 8000,
      dataDir: '/srv/claw/data',
      database: { kind: 'sqlite', file: '/srv/claw/data/clawchat.db' },
      jwtExpiryHours: 24,
      bodyLimitBytes: 1_048_576,
      rateLimitPerMinute: 1200,
      loginMaxFailures: 5,
      loginLockoutMinutes: 15,
      briefingTime: '08:00',
      reminderCheckIntervalSeconds: 60,
      agentConcurrency: 2,
      corsOrigins: '*',
      ai: {
        provider: 'ollama',
        baseUrl: 'http://localhost:11434',
        model: 'llama3.2',
        timeoutSeconds: 60,
        shareContext: true,
      },
    });
  });

  it('keeps the database in DATA_DIR unless DATABASE_URL says otherwise', () => {
    expect(parseConfig({ DATA_DIR: '/var/claw' }, '/w').database).toEqual({
      kind: 'sqlite',
      file: '/var/claw/clawchat.db',
    });
  });

  it('reads sqlite paths relative and absolute, and postgres URLs', () => {
    expect(parseConfig({ DATABASE_URL: 'sqlite:///./x/db.sqlite' }, '/w').database).toEqual({
      kind: 'sqlite',
      file: '/w/x/db.sqlite',
    });
    expect(parseConfig({ DATABASE_URL: 'sqlite:////var/db.sqlite' }, '/w').database).toEqual({
      kind: 'sqlite',
      file: '/var/db.sqlite',
    });
    expect(parseConfig({ DATABASE_URL: 'postgres://u@h/db' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://u@h/db',
    });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['TIMEZONE', 'Mars/Base'],
    ['AI_PROVIDER', 'skynet'],
    ['BRIEFING_TIME', '8am'],
    ['DATABASE_URL', 'mysql://x'],
    ['TRUST_PROXY', 'maybe'],
    ['AI_BASE_URL', 'not a url'],
    ['LOG_LEVEL', 'loud'],
    ['PIN', 'abc'],
    ['REDIS_URL', 'redis://localhost:6379'],
  ])('names the variable when %s=%s is invalid', (name, value) => {
    expect(() => parseConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => parseConfig({ [name]: value })).toThrow(name);
  });

  it('refuses a missing or example secret and PIN in production', () => {
    expect(() => parseConfig({ NODE_ENV: 'production', PIN: '123456' })).toThrow('JWT_SECRET');
    expect(() => parseConfig({ NODE_ENV: 'production', PIN: '123456', JWT_SECRET: 'change-me' })).toThrow(
      'JWT_SECRET',
    );
    expect(() => parseConfig({ NODE_ENV: 'production', JWT_SECRET: 'k'.repeat(40) })).toThrow('PIN');
    expect(parseConfig({ NODE_ENV: 'production', PIN: '123456', JWT_SECRET: 'k'.repeat(40) }).nodeEnv).toBe(
      'production',
    );
  });

  it('requires AI_MODEL for openai', () => {
    expect(() => parseConfig({ AI_PROVIDER: 'openai' })).toThrow('AI_MODEL');
    expect(parseConfig({ AI_PROVIDER: 'openai', AI_MODEL: 'gpt-4o-mini' }).ai.baseUrl).toBe(
      'https://api.openai.com',
    );
  });

  it('reads .env, and the environment wins', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawchat-env-'));
    fs.writeFileSync(
      path.join(dir, '.env'),
      '# comment\nPORT=9001\nTIMEZONE="Asia/Seoul"\nAI_PROVIDER=none # offline\nPIN="1234" # my pin\n',
    );
    const c = loadConfig({ PORT: '9002' }, dir);
    expect(c.port).toBe(9002);
    expect(c.timezone).toBe('Asia/Seoul');
    expect(c.ai.provider).toBe('none');
    expect(c.pin).toBe('1234');
  });
});
