// Sovereign-cloud endpoints: nothing else in src names a cloud host.

export type CloudName = "AzurePublicCloud" | "AzureUSGovernment" | "AzureChinaCloud";

export interface CloudEndpoints {
  armEndpoint: string;
  /** Token audience of ARM in this cloud: the same whether ARM is reached directly or through an endpoint override. */
  armAudience: string;
  authorityHost: string;
  /** Audience of the managed identity's token when it is exchanged as a federated credential. */
  tokenExchangeAudience: string;
}

export const clouds: Readonly<Record<CloudName, CloudEndpoints>> = {
  AzurePublicCloud: {
    armEndpoint: "https://management.azure.com",
    armAudience: "https://management.azure.com/",
    authorityHost: "https://login.microsoftonline.com",
    tokenExchangeAudience: "api://AzureADTokenExchange",
  },
  AzureUSGovernment: {
    armEndpoint: "https://management.usgovcloudapi.net",
    armAudience: "https://management.usgovcloudapi.net/",
    authorityHost: "https://login.microsoftonline.us",
    tokenExchangeAudience: "api://AzureADTokenExchangeUSGov",
  },
  AzureChinaCloud: {
    armEndpoint: "https://management.chinacloudapi.cn",
    armAudience: "https://management.chinacloudapi.cn/",
    authorityHost: "https://login.chinacloudapi.cn",
    tokenExchangeAudience: "api://AzureADTokenExchangeChina",
  },
};
