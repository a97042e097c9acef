// The app's custom role: exactly the actions of contract/customRoleActions.json (appRole), assignable only at the
// resource groups the app works in. scripts/checkLeastPrivilege.ts proves the list against what the code does.
targetScope = 'subscription'

@description('Role names are unique in a tenant: include the environment.')
param roleName string
@description('Resource group IDs the role may be assigned at (the narrowest scopes the app needs).')
param assignableScopes array

var contract = loadJsonContent('../contract/customRoleActions.json')

resource role 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, roleName)
  properties: {
    roleName: roleName
    description: contract.appRole.description
    type: 'CustomRole'
    permissions: [
      {
        actions: map(contract.appRole.actions, a => a.action)
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: assignableScopes
  }
}

@description('The role definition\'s GUID; assignments qualify it with their own subscription.')
output roleDefinitionGuid string = role.name
