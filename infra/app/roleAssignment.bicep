// One role assignment at this resource group, named guid(scope, principal, role) so redeployments are idempotent.
param principalId string
@description('GUID of the role definition (built-in or custom).')
param roleDefinitionGuid string
@allowed(['ServicePrincipal', 'User', 'Group'])
param principalType string = 'ServicePrincipal'

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, roleDefinitionGuid)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionGuid)
    principalId: principalId
    principalType: principalType
  }
}

output roleAssignmentId string = assignment.id
