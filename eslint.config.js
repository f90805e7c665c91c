// Lint rules from STYLE.md §11: promises are awaited, type imports are explicit,
// strict equality and braces everywhere, and layers point one way (§12).
import tseslint from 'typescript-eslint';

const layers = {
  // A component may import api, storage and client; never another component's insides.
  'src/client': ['src/apiserver', 'src/scheduler', 'src/controllers', 'src/kubelet', 'src/proxy', 'src/kubectl', 'src/cmd'],
  'src/api': ['src/client', 'src/apiserver', 'src/scheduler', 'src/controllers', 'src/kubelet', 'src/proxy', 'src/kubectl', 'src/cmd', 'src/storage'],
  'src/storage': ['src/apiserver', 'src/client', 'src/scheduler', 'src/controllers', 'src/kubelet', 'src/proxy', 'src/kubectl', 'src/cmd'],
};

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', 'tmp/**'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      curly: ['error', 'all'],
    },
  },
  ...Object.entries(layers).map(([dir, forbidden]) => ({
    files: [`${dir}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: forbidden.map((f) => ({ group: [`**/${f.replace('src/', '')}/**`], message: `${dir} must not import ${f} (STYLE.md §12)` })),
      }],
    },
  })),
);
