// The DynamoDB stand-in: see server.ts for the service and expressions.ts for the expression grammar it reads.
export { type AttributeValue, applyUpdate, ExpressionError, type Item, meetsCondition } from './expressions';
export { type DynamoDbCall, DynamoDbStandIn, type RequestMatcher } from './server';
