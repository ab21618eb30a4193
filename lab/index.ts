// The local lab: IAM, DynamoDB and CloudFormation stand-ins wired together, so that a stack from a
// template (or a single custom resource) runs against them over loopback, with no AWS account.
import { CloudFormationStandIn, type CloudFormationStandInOptions } from './cloudformation';
import { DynamoDbStandIn } from './dynamodb';
import { IamStandIn, type IamStandInOptions } from './iam';

export * from './cloudformation';
export * from './dynamodb';
export * from './iam';

/** How to start the lab. */
export interface LabOptions extends IamStandInOptions {
  /** Options for the CloudFormation stand-in, apart from the endpoints (the lab's own stand-ins). */
  cloudformation?: Omit<CloudFormationStandInOptions, 'iamEndpoint' | 'dynamodb'>;
}

/** Both stand-ins, running. */
export interface Lab {
  iam: IamStandIn;
  dynamodb: DynamoDbStandIn;
  cfn: CloudFormationStandIn;
  /** Kills every function instance and stops both servers. */
  close(): Promise<void>;
}

/** Starts the IAM and DynamoDB stand-ins, then the CloudFormation stand-in pointed at them. */
export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const { cloudformation, ...iamOptions } = options;
  const iam = await IamStandIn.start(iamOptions);
  const dynamodb = await DynamoDbStandIn.start();
  const cfn = await CloudFormationStandIn.start({
    ...cloudformation,
    accountId: iam.accountId,
    iamEndpoint: iam.endpoint,
    dynamodb,
  });
  return {
    iam,
    dynamodb,
    cfn,
    async close() {
      iam.release();
      await cfn.close();
      await iam.close();
      await dynamodb.close();
    },
  };
}
