import { defineConfig } from 'vitest/config';

const roots = '{clusters,compatibility,fleet,plan,policies,generators,programs,cli,test,sim}';
// Suites that start a Go-built tool from testbed/tools.sh: etcd + kube-apiserver, the Kyverno CLI, or promtool.
const needsTools = [
  `${roots}/**/*.apiserver.test.ts`,
  `${roots}/**/*.kyverno.test.ts`,
  `${roots}/**/*.promtool.test.ts`,
  `${roots}/**/*.actionlint.test.ts`,
  `${roots}/**/*.git.test.ts`,
  `${roots}/**/*.chromium.test.ts`,
  // Builds the programs' OCI images with umoci (testbed/tools.d/umoci.sh).
  `${roots}/**/*.images.test.ts`,
  // Runs the programs' images with podman and runc (testbed/tools.d/podman.sh) against a real API server.
  `${roots}/**/*.podman.test.ts`,
];

export default defineConfig({
  test: {
    reporters: ['default', './testbed/support/summaryReporter.ts'],
    // API-server suites start real processes; a slow 2-core machine needs room for that.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    projects: [
      // `npm run test:unit`: runs without the tools built.
      { extends: true, test: { name: 'unit', include: [`${roots}/**/*.test.ts`], exclude: needsTools } },
      { extends: true, test: { name: 'integration', include: needsTools } },
    ],
  },
});
