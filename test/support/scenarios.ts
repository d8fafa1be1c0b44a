// The harness's scenarios, for the tests that run them (the demos run the same code).
export {
  startKillResumeEnvironment,
  type KillResumeEnvironment,
} from '../../harness/scenarios/kill-resume/environment.js';
export {
  runKillResumeScenario,
  type KillResumeOptions,
  type KillResumeResult,
} from '../../harness/scenarios/kill-resume/scenario.js';
export { runKafkaOutageScenario } from '../../harness/scenarios/kafka-outage/scenario.js';
