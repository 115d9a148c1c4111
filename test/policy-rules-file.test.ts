import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

describe('policy rules from HUB_POLICY_FILE', () => {
  afterEach(() => {
    delete process.env.HUB_POLICY_FILE;
  });

  it('are checked and take the place of the defaults', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hub-policy-')), 'policy.json');
    fs.writeFileSync(file, JSON.stringify({ maskDeclaredFieldsFor: [], amountBandBoundariesYuan: [1000000] }));
    process.env.HUB_POLICY_FILE = file;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { activePolicyRules } = require('../src/policy/rules') as typeof import('../src/policy/rules');
      expect(activePolicyRules().maskDeclaredFieldsFor).toEqual([]);
      expect(activePolicyRules().amountBandBoundariesYuan).toEqual([1000000]);
    });
  });

  it('refuse a file that names an unknown caller type', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hub-policy-')), 'policy.json');
    fs.writeFileSync(file, JSON.stringify({ maskDeclaredFieldsFor: ['EVERYONE'] }));
    process.env.HUB_POLICY_FILE = file;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { activePolicyRules } = require('../src/policy/rules') as typeof import('../src/policy/rules');
      expect(() => activePolicyRules()).toThrow(/maskDeclaredFieldsFor/);
    });
  });

  it('default to the design brief: regulators get declared masks', () => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { activePolicyRules, DEFAULT_POLICY_RULES } = require('../src/policy/rules') as typeof import('../src/policy/rules');
      expect(activePolicyRules()).toBe(DEFAULT_POLICY_RULES);
      expect(DEFAULT_POLICY_RULES.maskDeclaredFieldsFor).toEqual(['REGULATOR']);
    });
  });
});
