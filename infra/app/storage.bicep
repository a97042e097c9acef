// The app's storage account: identity only (shared keys off), the registry tables, the audit queue, the
// dead-letter and deployment containers, and the UAMI's data-plane roles on it.
param name string
param location string
param tags object
@description('The UAMI\'s principal ID.')
param principalId string
param tablePrefix string
@description('Registry table roles (contract/storage.json); each table is {tablePrefix}{role}.')
param tableRoles array
param queueNames array
param containerNames array

module account 'br/public:avm/res/storage/storage-account:0.25.0' = {
  name: 'storage-account'
  params: {
    name: name
    location: location
    tags: tags
    skuName: 'Standard_LRS'
    allowBlobPublicAccess: false
    // No keys, no SAS: the host, the app and Event Grid's dead-lettering all use the managed identity.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    blobServices: {
      containers: [for c in containerNames: { name: c, publicAccess: 'None' }]
    }
    queueServices: {
      queues: [for q in queueNames: { name: q }]
    }
    tableServices: {
      tables: [for r in tableRoles: { name: '${tablePrefix}${r}' }]
    }
  }
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: name
}

var roles = {
  // Storage Blob Data Owner: the Functions host's identity-based AzureWebJobsStorage (leases, deployment package),
  // and Event Grid's dead-lettering with the same identity.
  blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor: queue triggers, audit shards
  tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor: the registry
}

resource dataRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in items(roles): {
    name: guid(storageAccount.id, principalId, role.value)
    scope: storageAccount
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.value)
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
    dependsOn: [account]
  }
]

output name string = storageAccount.name
output resourceId string = storageAccount.id
