graph [
  directed 1
  node [
    id 0
    label "age"
  ]
  node [
    id 1
    label "female"
  ]
  node [
    id 2
    label "smoking"
  ]
  node [
    id 3
    label "family_history"
  ]
  node [
    id 4
    label "bmi"
  ]
  node [
    id 5
    label "diabetes"
  ]
  node [
    id 6
    label "egfr"
  ]
  node [
    id 7
    label "recent_infection"
  ]
  node [
    id 8
    label "diagnosis"
  ]
  node [
    id 9
    label "nt_probnp"
  ]
  node [
    id 10
    label "eosinophils"
  ]
  node [
    id 11
    label "fev1_fvc"
  ]
  node [
    id 12
    label "wheezing"
  ]
  node [
    id 13
    label "ankle_oedema"
  ]
  node [
    id 14
    label "crackles"
  ]
  node [
    id 15
    label "mmrc"
  ]
  node [
    id 16
    label "chest_xray"
  ]
  node [
    id 17
    label "diuretic"
  ]
  edge [
    source 0
    target 2
  ]
  edge [
    source 0
    target 6
  ]
  edge [
    source 0
    target 8
  ]
  edge [
    source 0
    target 9
  ]
  edge [
    source 0
    target 11
  ]
  edge [
    source 0
    target 16
  ]
  edge [
    source 1
    target 9
  ]
  edge [
    source 2
    target 8
  ]
  edge [
    source 2
    target 11
  ]
  edge [
    source 3
    target 8
  ]
  edge [
    source 4
    target 9
  ]
  edge [
    source 4
    target 13
  ]
  edge [
    source 4
    target 15
  ]
  edge [
    source 5
    target 6
  ]
  edge [
    source 6
    target 9
  ]
  edge [
    source 7
    target 12
  ]
  edge [
    source 7
    target 14
  ]
  edge [
    source 7
    target 16
  ]
  edge [
    source 8
    target 9
  ]
  edge [
    source 8
    target 10
  ]
  edge [
    source 8
    target 11
  ]
  edge [
    source 8
    target 12
  ]
  edge [
    source 8
    target 13
  ]
  edge [
    source 8
    target 14
  ]
  edge [
    source 8
    target 15
  ]
  edge [
    source 8
    target 16
  ]
  edge [
    source 11
    target 15
  ]
  edge [
    source 13
    target 17
  ]
]
