// The API Gateway stand-in: see server.ts for the loopback route and intercept.ts for how URLs reach it.
export {
  type ApiCall,
  ApiGatewayStandIn,
  type ProxyEvent,
  type ProxyResult,
  type ProxyTarget,
} from './server';
