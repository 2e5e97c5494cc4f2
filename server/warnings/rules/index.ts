import { cluster } from './cluster.ts';
import { homicideRisk } from './homicide-risk.ts';
import { overdue } from './overdue.ts';
import { repeat } from './repeat.ts';
import { silence } from './silence.ts';
import { spike } from './spike.ts';

/** Every rule, in the order the engine runs them. Adding a rule: a module here and a block in the rules file. */
export const RULE_MODULES = [homicideRisk, spike, overdue, repeat, cluster, silence] as const;
