// Runs the cluster test files in the order of their names (01-…, 02-…).
const Sequencer = require('@jest/test-sequencer').default;

module.exports = class ByNameSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => a.path.localeCompare(b.path));
  }
};
