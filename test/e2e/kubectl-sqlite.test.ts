import { kubectlScenario } from './kubectl-scenario.ts';

kubectlScenario('sqlite', async () => ({ backend: 'sqlite' }));
