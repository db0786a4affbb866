export {
  taskRolePolicies,
  type PolicyDocument,
  type TaskRolePolicies,
} from './task-role-policies.ts';
