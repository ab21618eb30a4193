// The local lab: an IAM stand-in and a CloudFormation stand-in wired together, so that a stack from
// a template (or a single custom resource) runs against IAM over loopback, with no AWS account.
import { CloudFormationStandIn, type CloudFormationStandInOptions } from './cloudformation';
import { IamStandIn, type IamStandInOptions } from './iam';

export * from './cloudformation';
export * from './iam';

/** How to start the lab. */
export interface LabOptions extends IamStandInOptions {
  /** Options for the CloudFormation stand-in, apart from the IAM endpoint (the lab's own). */
  cloudformation?: Omit<CloudFormationStandInOptions, 'iamEndpoint'>;
}

/** Both stand-ins, running. */
export interface Lab {
  iam: IamStandIn;
  cfn: CloudFormationStandIn;
  /** Kills every function instance and stops both servers. */
  close(): Promise<void>;
}

/** Starts the IAM stand-in, then the CloudFormation stand-in pointed at it. */
export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const { cloudformation, ...iamOptions } = options;
  const iam = await IamStandIn.start(iamOptions);
  const cfn = await CloudFormationStandIn.start({
    ...cloudformation,
    accountId: iam.accountId,
    iamEndpoint: iam.endpoint,
  });
  return {
    iam,
    cfn,
    async close() {
      iam.release();
      await cfn.close();
      await iam.close();
    },
  };
}
