graph [
  directed 1
  node [
    id 0
    label "a1"
  ]
  node [
    id 1
    label "a2"
  ]
  node [
    id 2
    label "a3"
  ]
  node [
    id 3
    label "c1"
  ]
  node [
    id 4
    label "c2"
  ]
  node [
    id 5
    label "c3"
  ]
  node [
    id 6
    label "x1"
  ]
  node [
    id 7
    label "x2"
  ]
  node [
    id 8
    label "x3"
  ]
  node [
    id 9
    label "x4"
  ]
  node [
    id 10
    label "x5"
  ]
  node [
    id 11
    label "x6"
  ]
  node [
    id 12
    label "x7"
  ]
  node [
    id 13
    label "x8"
  ]
  node [
    id 14
    label "o1"
  ]
  node [
    id 15
    label "o2"
  ]
  node [
    id 16
    label "y"
  ]
  edge [
    source 0
    target 16
  ]
  edge [
    source 1
    target 16
  ]
  edge [
    source 2
    target 16
  ]
  edge [
    source 3
    target 8
  ]
  edge [
    source 3
    target 12
  ]
  edge [
    source 4
    target 10
  ]
  edge [
    source 4
    target 7
  ]
  edge [
    source 4
    target 9
  ]
  edge [
    source 4
    target 11
  ]
  edge [
    source 5
    target 9
  ]
  edge [
    source 5
    target 7
  ]
  edge [
    source 5
    target 12
  ]
  edge [
    source 10
    target 8
  ]
  edge [
    source 10
    target 11
  ]
  edge [
    source 11
    target 15
  ]
  edge [
    source 12
    target 11
  ]
  edge [
    source 14
    target 3
  ]
  edge [
    source 16
    target 6
  ]
  edge [
    source 16
    target 7
  ]
  edge [
    source 16
    target 8
  ]
  edge [
    source 16
    target 9
  ]
  edge [
    source 16
    target 10
  ]
  edge [
    source 16
    target 11
  ]
  edge [
    source 16
    target 12
  ]
  edge [
    source 16
    target 13
  ]
]
